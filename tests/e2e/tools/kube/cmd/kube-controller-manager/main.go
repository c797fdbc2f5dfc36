// Command kube-controller-manager is the controller manager of k8s.io/kubernetes, built outside
// the Kubernetes repository for the end-to-end tests. Its namespace controller finalizes deleted
// namespaces, without which a destroy waits for a namespace that stays Terminating.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
