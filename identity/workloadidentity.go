package identity

import (
	"encoding/json"
	"fmt"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Type is the component's Pulumi type.
const Type = "coreplatform:identity:WorkloadIdentity"

// WorkloadIdentity is a cloud identity federated to one Kubernetes ServiceAccount.
type WorkloadIdentity struct {
	pulumi.ResourceState

	// Member is the IAM principal to grant roles to: "serviceAccount:<email>" on GCP, the role
	// ARN on AWS.
	Member pulumi.StringOutput `pulumi:"member"`
	// Email is the GCP service account's e-mail ("" on AWS).
	Email pulumi.StringOutput `pulumi:"email"`
	// RoleArn and RoleName identify the AWS role ("" on GCP).
	RoleArn  pulumi.StringOutput `pulumi:"roleArn"`
	RoleName pulumi.StringOutput `pulumi:"roleName"`
	// Annotations go on the Kubernetes ServiceAccount so its pods assume the identity.
	Annotations pulumi.StringMapOutput `pulumi:"annotations"`
}

// NewWorkloadIdentity creates the identity. Pass the cloud account's provider in opts.
func NewWorkloadIdentity(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*WorkloadIdentity, error) {
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("identity %s: %w", name, err)
	}
	w := &WorkloadIdentity{}
	if err := ctx.RegisterComponentResource(Type, name, w, opts...); err != nil {
		return nil, err
	}
	var err error
	if args.Cloud == cloud.GCP {
		err = w.gcp(ctx, name, args)
	} else {
		err = w.aws(ctx, name, args)
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(w, pulumi.Map{
		"member":      w.Member,
		"email":       w.Email,
		"roleArn":     w.RoleArn,
		"roleName":    w.RoleName,
		"annotations": w.Annotations,
	}); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *WorkloadIdentity) gcp(ctx *pulumi.Context, name string, args *Args) error {
	sa, err := serviceaccount.NewAccount(ctx, name+"-sa", &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(args.GCP.AccountID),
		Project:     pulumi.String(args.GCP.Project),
		DisplayName: pulumi.String(fmt.Sprintf("%s/%s (Workload Identity)", args.Namespace, args.ServiceAccount)),
		Description: pulumi.String(args.Description),
	}, pulumi.Parent(w))
	if err != nil {
		return err
	}
	// Only this one Kubernetes ServiceAccount of this cluster's pool may act as the account.
	ksa := fmt.Sprintf("serviceAccount:%s.svc.id.goog[%s/%s]", args.GCP.Project, args.Namespace, args.ServiceAccount)
	if _, err := serviceaccount.NewIAMMember(ctx, name+"-workload-identity-user", &serviceaccount.IAMMemberArgs{
		ServiceAccountId: sa.Name,
		Role:             pulumi.String("roles/iam.workloadIdentityUser"),
		Member:           pulumi.String(ksa),
	}, pulumi.Parent(w)); err != nil {
		return err
	}
	w.Email = sa.Email
	w.Member = pulumi.Sprintf("serviceAccount:%s", sa.Email)
	for _, r := range args.GCP.ProjectRoles {
		if _, err := projects.NewIAMMember(ctx, name+"-"+r.Name, &projects.IAMMemberArgs{
			Project: pulumi.String(r.Project),
			Role:    pulumi.String(r.Role),
			Member:  w.Member,
		}, pulumi.Parent(w)); err != nil {
			return err
		}
	}
	w.RoleArn = pulumi.String("").ToStringOutput()
	w.RoleName = pulumi.String("").ToStringOutput()
	w.Annotations = pulumi.StringMap{"iam.gke.io/gcp-service-account": sa.Email}.ToStringMapOutput()
	return nil
}

// policyDocument is an IAM policy; built from Go values and marshalled.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    any                          `json:"Action"`
	Resource  any                          `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// trustPolicy lets only the named ServiceAccount's projected token assume the role.
func trustPolicy(args *Args) (string, error) {
	issuer := args.AWS.issuer()
	doc := policyDocument{
		Version: "2012-10-17",
		Statement: []policyStatement{{
			Effect:    "Allow",
			Principal: map[string]string{"Federated": args.AWS.OIDCProviderARN},
			Action:    "sts:AssumeRoleWithWebIdentity",
			Condition: map[string]map[string]string{
				"StringEquals": {
					issuer + ":sub": fmt.Sprintf("system:serviceaccount:%s:%s", args.Namespace, args.ServiceAccount),
					issuer + ":aud": "sts.amazonaws.com",
				},
			},
		}},
	}
	b, err := json.Marshal(doc)
	return string(b), err
}

func (w *WorkloadIdentity) aws(ctx *pulumi.Context, name string, args *Args) error {
	policy, err := trustPolicy(args)
	if err != nil {
		return err
	}
	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Name:             pulumi.String(args.AWS.RoleName),
		Description:      pulumi.String(args.Description),
		AssumeRolePolicy: pulumi.String(policy),
	}, pulumi.Parent(w))
	if err != nil {
		return err
	}
	w.Email = pulumi.String("").ToStringOutput()
	w.Member = role.Arn
	w.RoleArn = role.Arn
	w.RoleName = role.Name
	w.Annotations = pulumi.StringMap{"eks.amazonaws.com/role-arn": role.Arn}.ToStringMapOutput()
	return nil
}
