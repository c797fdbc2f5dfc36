// Command developer-portal is the Pulumi program of the Core Platform developer portal: one
// stack per environment (Pulumi.<env>.yaml). Everything it does is in package stack.
package main

import (
	"github.com/coreeng/developer-portal/stack"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() { pulumi.Run(stack.Run) }
