package portal

import (
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Backstage's health endpoints.
const (
	ReadinessPath = "/.backstage/health/v1/readiness"
	LivenessPath  = "/.backstage/health/v1/liveness"
)

func (b *built) newDeployment(sa *corev1.ServiceAccount, cfg *podConfig) (*appsv1.Deployment, error) {
	d := b.d
	var replicas pulumi.IntPtrInput
	if !d.Autoscaling.Enabled {
		replicas = pulumi.IntPtr(*d.Replicas)
	} // else unset: the HorizontalPodAutoscaler owns it and Pulumi must not fight it.

	return appsv1.NewDeployment(b.ctx, b.name+"-deployment", &appsv1.DeploymentArgs{
		Metadata: b.meta(d.Name),
		Spec: &appsv1.DeploymentSpecArgs{
			Replicas:             replicas,
			RevisionHistoryLimit: pulumi.Int(5),
			Selector:             &metav1.LabelSelectorArgs{MatchLabels: b.selector},
			// Backstage migrates its database at start-up and takes a lock; a surge pod
			// starting next to the old ones can hit MigrationLocked, so replace pods one at a
			// time without surging.
			Strategy: &appsv1.DeploymentStrategyArgs{
				Type: pulumi.String("RollingUpdate"),
				RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{
					MaxSurge:       pulumi.Int(0),
					MaxUnavailable: pulumi.Int(1),
				},
			},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: b.labels, Annotations: cfg.annotations},
				Spec:     b.podSpec(sa, cfg),
			},
		},
	}, b.parent)
}

func (b *built) podSpec(sa *corev1.ServiceAccount, cfg *podConfig) *corev1.PodSpecArgs {
	d := b.d
	env := append(corev1.EnvVarArray{}, cfg.plainEnv...)
	for _, k := range cfg.secretKeys {
		env = append(env, corev1.EnvVarArgs{
			Name: pulumi.String(k),
			ValueFrom: &corev1.EnvVarSourceArgs{SecretKeyRef: &corev1.SecretKeySelectorArgs{
				Name: cfg.secret,
				Key:  pulumi.String(k),
			}},
		})
	}
	ports := corev1.ContainerPortArray{corev1.ContainerPortArgs{
		Name: pulumi.String("http"), ContainerPort: pulumi.Int(backendPort), Protocol: pulumi.String("TCP"),
	}}
	if d.Monitoring.Kind != MonitoringNone {
		ports = append(ports, corev1.ContainerPortArgs{
			Name: pulumi.String("metrics"), ContainerPort: pulumi.Int(d.Monitoring.Port), Protocol: pulumi.String("TCP"),
		})
	}
	configItems := corev1.KeyToPathArray{corev1.KeyToPathArgs{Key: pulumi.String(appConfigKey), Path: pulumi.String(appConfigKey)}}
	if !d.Database.CloudSQLConnector() {
		configItems = append(configItems, corev1.KeyToPathArgs{Key: pulumi.String(dbCAKey), Path: pulumi.String(dbCAKey)})
	}
	var catalogItems corev1.KeyToPathArray
	for _, f := range cfg.files {
		catalogItems = append(catalogItems, corev1.KeyToPathArgs{Key: pulumi.String(f.Key), Path: pulumi.String(f.Path)})
	}
	readOnly := pulumi.Int(0o444)
	mounts := corev1.VolumeMountArray{
		corev1.VolumeMountArgs{Name: pulumi.String("config"), MountPath: pulumi.String(configDir), ReadOnly: pulumi.Bool(true)},
		corev1.VolumeMountArgs{Name: pulumi.String("catalog"), MountPath: pulumi.String(CatalogDir), ReadOnly: pulumi.Bool(true)},
		// The root filesystem is read-only; the scaffolder and TechDocs write to
		// the OS temp directory.
		corev1.VolumeMountArgs{Name: pulumi.String("tmp"), MountPath: pulumi.String("/tmp")},
	}
	volumes := corev1.VolumeArray{
		corev1.VolumeArgs{Name: pulumi.String("config"), ConfigMap: &corev1.ConfigMapVolumeSourceArgs{
			Name: cfg.appConfigMap, Items: configItems, DefaultMode: readOnly,
		}},
		corev1.VolumeArgs{Name: pulumi.String("catalog"), ConfigMap: &corev1.ConfigMapVolumeSourceArgs{
			Name: cfg.catalogMap, Items: catalogItems, DefaultMode: readOnly,
		}},
		corev1.VolumeArgs{Name: pulumi.String("tmp"), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{
			SizeLimit: pulumi.String(d.Resources.Limits.EphemeralStorage),
		}},
	}
	if cfg.liveParts > 0 {
		// The live catalog module writes the parts it reads from the API here (a mounted
		// ConfigMap would change only at the kubelet's next sync of the pod). Each part is
		// under the API server's 1 MiB object limit, and a file is replaced by a new one and a
		// rename, so one MiB a part and one more bound what the directory can hold.
		mounts = append(mounts, corev1.VolumeMountArgs{Name: pulumi.String("catalog-live"), MountPath: pulumi.String(LiveCatalogDir)})
		volumes = append(volumes, corev1.VolumeArgs{Name: pulumi.String("catalog-live"), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{
			SizeLimit: pulumi.String(fmt.Sprintf("%dMi", cfg.liveParts+1)),
		}})
	}

	return &corev1.PodSpecArgs{
		ServiceAccountName: sa.Metadata.Name().Elem(),
		// The Kubernetes plugin reads the platform cluster with the in-cluster client, which
		// authenticates with this projected token; the ClusterRole keeps it read-only.
		AutomountServiceAccountToken: pulumi.Bool(true),
		// Service links would inject one variable per Service in the namespace.
		EnableServiceLinks: pulumi.Bool(false),
		SecurityContext: &corev1.PodSecurityContextArgs{
			RunAsNonRoot:   pulumi.Bool(true),
			RunAsUser:      pulumi.Int(*d.RunAsUser),
			RunAsGroup:     pulumi.Int(*d.RunAsGroup),
			FsGroup:        pulumi.Int(*d.RunAsGroup),
			SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
		},
		TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{
			corev1.TopologySpreadConstraintArgs{
				MaxSkew:           pulumi.Int(1),
				TopologyKey:       pulumi.String("topology.kubernetes.io/zone"),
				WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
				LabelSelector:     &metav1.LabelSelectorArgs{MatchLabels: b.selector},
			},
			corev1.TopologySpreadConstraintArgs{
				MaxSkew:           pulumi.Int(1),
				TopologyKey:       pulumi.String("kubernetes.io/hostname"),
				WhenUnsatisfiable: pulumi.String("DoNotSchedule"),
				LabelSelector:     &metav1.LabelSelectorArgs{MatchLabels: b.selector},
			},
		},
		Containers: corev1.ContainerArray{corev1.ContainerArgs{
			Name:            pulumi.String("backstage"),
			Image:           pulumi.String(d.Image),
			ImagePullPolicy: pulumi.String("IfNotPresent"),
			Command:         pulumi.ToStringArray(Command),
			Args:            pulumi.ToStringArray(ContainerArgs()),
			Ports:           ports,
			Env:             env,
			Resources: &corev1.ResourceRequirementsArgs{
				Requests: resourceList(d.Resources.Requests),
				Limits:   resourceList(d.Resources.Limits),
			},
			SecurityContext: &corev1.SecurityContextArgs{
				RunAsNonRoot:             pulumi.Bool(true),
				AllowPrivilegeEscalation: pulumi.Bool(false),
				Privileged:               pulumi.Bool(false),
				ReadOnlyRootFilesystem:   pulumi.Bool(true),
				Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.ToStringArray([]string{"ALL"})},
				SeccompProfile:           &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
			},
			// Startup allows five minutes for the first migrations; readiness reacts fast
			// to take a pod out of the Service; liveness is slower so a busy pod is not
			// killed for one slow answer.
			StartupProbe:   probe(LivenessPath, 5, 3, 60),
			ReadinessProbe: probe(ReadinessPath, 10, 3, 3),
			LivenessProbe:  probe(LivenessPath, 20, 5, 3),
			VolumeMounts:   mounts,
		}},
		Volumes: volumes,
	}
}

func probe(path string, period, timeout, failures int) *corev1.ProbeArgs {
	return &corev1.ProbeArgs{
		HttpGet: &corev1.HTTPGetActionArgs{
			Path: pulumi.String(path), Port: pulumi.String("http"), Scheme: pulumi.String("HTTP"),
		},
		PeriodSeconds:    pulumi.Int(period),
		TimeoutSeconds:   pulumi.Int(timeout),
		FailureThreshold: pulumi.Int(failures),
	}
}

func resourceList(l ResourceList) pulumi.StringMap {
	return pulumi.StringMap{
		"cpu":               pulumi.String(l.CPU),
		"memory":            pulumi.String(l.Memory),
		"ephemeral-storage": pulumi.String(l.EphemeralStorage),
	}
}

func (b *built) newService() (*corev1.Service, error) {
	ports := corev1.ServicePortArray{corev1.ServicePortArgs{
		Name: pulumi.String("http"), Port: pulumi.Int(80), TargetPort: pulumi.String("http"), Protocol: pulumi.String("TCP"),
	}}
	if b.d.Monitoring.Kind != MonitoringNone {
		ports = append(ports, corev1.ServicePortArgs{
			Name: pulumi.String("metrics"), Port: pulumi.Int(b.d.Monitoring.Port), TargetPort: pulumi.String("metrics"), Protocol: pulumi.String("TCP"),
		})
	}
	return corev1.NewService(b.ctx, b.name+"-service", &corev1.ServiceArgs{
		Metadata: b.meta(b.d.Name),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: b.selector,
			Ports:    ports,
		},
	}, b.parent)
}

func (b *built) newDisruptionBudget() error {
	_, err := policyv1.NewPodDisruptionBudget(b.ctx, b.name+"-pdb", &policyv1.PodDisruptionBudgetArgs{
		Metadata: b.meta(b.d.Name),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable: pulumi.Int(1),
			Selector:       &metav1.LabelSelectorArgs{MatchLabels: b.selector},
			// A crash-looping pod must not block node drains.
			UnhealthyPodEvictionPolicy: pulumi.String("AlwaysAllow"),
		},
	}, b.parent)
	return err
}

func (b *built) newAutoscaler(dep *appsv1.Deployment) error {
	s := b.d.Autoscaling
	if !s.Enabled {
		return nil
	}
	_, err := autoscalingv2.NewHorizontalPodAutoscaler(b.ctx, b.name+"-hpa", &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: b.meta(b.d.Name),
		Spec: &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
			ScaleTargetRef: &autoscalingv2.CrossVersionObjectReferenceArgs{
				ApiVersion: pulumi.String("apps/v1"),
				Kind:       pulumi.String("Deployment"),
				Name:       dep.Metadata.Name().Elem(),
			},
			MinReplicas: pulumi.Int(s.MinReplicas),
			MaxReplicas: pulumi.Int(s.MaxReplicas),
			Metrics: autoscalingv2.MetricSpecArray{autoscalingv2.MetricSpecArgs{
				Type: pulumi.String("Resource"),
				Resource: &autoscalingv2.ResourceMetricSourceArgs{
					Name: pulumi.String("cpu"),
					Target: &autoscalingv2.MetricTargetArgs{
						Type:               pulumi.String("Utilization"),
						AverageUtilization: pulumi.Int(s.TargetCPUUtilization),
					},
				},
			}},
		},
	}, b.parent)
	return err
}
