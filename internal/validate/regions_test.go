package validate

import "testing"

// gcpRegions is Google Cloud's published region list ("Geography and regions", Compute Engine
// "Regions and zones"), including regions open to selected customers only.
var gcpRegions = []string{
	"africa-south1",
	"asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3",
	"asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2",
	"australia-southeast1", "australia-southeast2",
	"europe-central2", "europe-north1", "europe-north2", "europe-southwest1",
	"europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6",
	"europe-west8", "europe-west9", "europe-west10", "europe-west12",
	"me-central1", "me-central2", "me-west1",
	"northamerica-northeast1", "northamerica-northeast2", "northamerica-south1",
	"southamerica-east1", "southamerica-west1",
	"us-central1", "us-central2", "us-east1", "us-east4", "us-east5", "us-east7", "us-south1",
	"us-west1", "us-west2", "us-west3", "us-west4", "us-west8",
}

// awsRegions is AWS's published region list ("Regions and Availability Zones") across the
// partitions: commercial, GovCloud, China, the ISO partitions and the European Sovereign Cloud.
var awsRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	"af-south-1",
	"ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
	"ap-southeast-6", "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3",
	"eu-south-1", "eu-south-2", "eu-north-1",
	"il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
	"us-gov-east-1", "us-gov-west-1",
	"cn-north-1", "cn-northwest-1",
	"us-iso-east-1", "us-iso-west-1", "us-isob-east-1", "us-isof-south-1", "us-isof-east-1",
	"eu-isoe-west-1",
	"eusc-de-east-1",
}

func TestRegions(t *testing.T) {
	for _, r := range gcpRegions {
		if !GCPRegion(r) || !GCPLocation(r) || !GCPLocation(r+"-a") {
			t.Errorf("GCP region %q (or its zone) is rejected", r)
		}
		if AWSRegion(r) {
			t.Errorf("GCP region %q passes as an AWS region", r)
		}
	}
	for _, r := range awsRegions {
		if !AWSRegion(r) {
			t.Errorf("AWS region %q is rejected", r)
		}
		if GCPRegion(r) {
			t.Errorf("AWS region %q passes as a GCP region", r)
		}
	}
	malformed := []string{"", "europe", "europe-west", "europe-west0", "Europe-West2", "europe_west2",
		"europe-west2-a", "europe-west123", " europe-west2", "eu-west", "eu-west-2a", "eu-west-0",
		"EU-WEST-2", "euwest2", "eu-west-2-", "e-west-2", "europe-west-2-2"}
	for _, r := range malformed {
		if GCPRegion(r) || AWSRegion(r) {
			t.Errorf("malformed region %q is accepted", r)
		}
	}
}
