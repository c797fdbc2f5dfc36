// Command sdkgen is a codegen-only Pulumi language host for the end-to-end tests: installed as
// pulumi-language-nodejs and as pulumi-language-python, it answers the CLI's GeneratePackage call
// with the Pulumi module's own generators (pkg/v3/codegen/nodejs and pkg/v3/codegen/python) and
// nothing else.
//
// It exists because the official language hosts are modules of their own
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, .../python/...) that the
// Go module proxy this project builds from does not serve, and `pulumi package gen-sdk` hands
// all code generation to the language host. With this host on PATH the CLI's gen-sdk command
// itself runs unchanged: it reads and binds the schema, starts its schema loader, launches
// `pulumi-language-<language>` and calls GeneratePackage, exactly as it would with the official
// host. The generated files are those the official hosts produce, since those hosts call the
// same generators with the same arguments for the same pkg/v3 version.
//
// Running programs, installing dependencies, packing and linking are not implemented: every other
// LanguageRuntime method answers Unimplemented.
//
// The language comes from the executable's name (pulumi-language-nodejs or
// pulumi-language-python), so one binary serves both. Like every language host it prints the
// port of its gRPC server on stdout and serves until the CLI closes it.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/pkg/v3/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// generator writes the files of one language's SDK for a bound package.
type generator func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
	loader schema.ReferenceLoader) (map[string][]byte, error)

// generators maps the language host's executable name to its generator. The tool names are the
// official hosts' names: the generators write them into the files' "do not edit" headers.
var generators = map[string]generator{
	"pulumi-language-nodejs": func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
		loader schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return nodejsgen.GeneratePackage("pulumi-language-nodejs", pkg, req.ExtraFiles,
			req.LocalDependencies, req.Local, loader)
	},
	"pulumi-language-python": func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
		loader schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return pythongen.GeneratePackage("pulumi-language-python", pkg, req.ExtraFiles, loader)
	},
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(1)
	}
}

func run() error {
	name := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
	gen, ok := generators[name]
	if !ok {
		return fmt.Errorf("unknown language host name %q: install this binary as pulumi-language-nodejs "+
			"or pulumi-language-python", name)
	}
	// The arguments (the engine's address, flags such as -root) are not needed: GeneratePackage
	// receives everything it uses, including the schema loader's address, in its request.
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &host{name: name, generate: gen})
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("start the gRPC server: %w", err)
	}
	// The CLI reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	return <-handle.Done
}

// host implements the LanguageRuntime service's Handshake, GetPluginInfo and GeneratePackage.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	name     string
	generate generator
}

// Handshake accepts the engine's handshake; this host keeps no state from it.
func (h *host) Handshake(context.Context, *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports the version of the Pulumi module whose generators this host runs.
func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GeneratePackage binds the request's schema with the CLI's schema loader (the request's
// loader target), generates the SDK and writes its files under the request's directory. Schema
// errors come back as diagnostics, as the official hosts return them.
func (h *host) GeneratePackage(_ context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	if req.LoaderTarget == "" {
		return nil, status.Error(codes.InvalidArgument, "GeneratePackage: no loader target in the request")
	}
	if req.Directory == "" {
		return nil, status.Error(codes.InvalidArgument, "GeneratePackage: no output directory in the request")
	}
	client, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, fmt.Errorf("connect to the schema loader at %s: %w", req.LoaderTarget, err)
	}
	// Closing only drops the connection to the CLI's loader; the generated files are written.
	defer func() { _ = client.Close() }()
	loader := schema.NewCachedLoader(client)

	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.Schema), &spec); err != nil {
		return nil, fmt.Errorf("decode the package schema: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, fmt.Errorf("bind the package schema: %w", err)
	}
	resp := &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}
	if diags.HasErrors() {
		return resp, nil
	}

	files, err := h.generate(pkg, req, loader)
	if err != nil {
		return nil, fmt.Errorf("%s: generate the %s SDK: %w", h.name, pkg.Name, err)
	}
	for name, data := range files {
		path := filepath.Join(req.Directory, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create the directory of %s: %w", name, err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", name, err)
		}
	}
	return resp, nil
}
