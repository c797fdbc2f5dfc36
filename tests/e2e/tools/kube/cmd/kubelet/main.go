// Command kubelet is the node agent of k8s.io/kubernetes, built outside the Kubernetes
// repository for the end-to-end tests' real node (with Debian's containerd and runc).
package main

import (
	"context"
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kubelet/app"
)

func main() {
	os.Exit(cli.Run(app.NewKubeletCommand(context.Background())))
}
