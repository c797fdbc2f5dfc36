// Command kube-scheduler is the scheduler of k8s.io/kubernetes, built outside the Kubernetes
// repository for the end-to-end tests' real node: it binds the portal's pods to that node.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() {
	os.Exit(cli.Run(app.NewSchedulerCommand()))
}
