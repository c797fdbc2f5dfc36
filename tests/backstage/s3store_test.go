package backstagee2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// s3Store is an S3-compatible object store on loopback (gofakes3, in memory) holding one
// bucket: the TechDocs bucket the stack generated, which techdocs-cli publishes to and the
// portal's TechDocs backend reads from, both with the awsS3 publisher's endpoint and
// s3ForcePathStyle settings. Credentials are not checked.
type s3Store struct {
	URL     string
	bucket  string
	backend *s3mem.Backend

	mu       sync.Mutex
	requests map[string]int // "<method> <first path segment after the bucket>" → count
}

func newS3Store(t *testing.T, bucket string) *s3Store {
	t.Helper()
	s := &s3Store{bucket: bucket, backend: s3mem.New(), requests: map[string]int{}}
	if err := s.backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	fake := gofakes3.New(s.backend, gofakes3.WithoutVersioning()).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.Method]++
		s.mu.Unlock()
		if err := decodeAWSChunked(r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// keys lists the stored object keys under prefix.
func (s *s3Store) keys(t *testing.T, prefix string) []string {
	t.Helper()
	p := gofakes3.NewPrefix(&prefix, nil) // every key under prefix, not only its direct children
	list, err := s.backend.ListBucket(s.bucket, &p, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, o.Key)
	}
	sort.Strings(keys)
	return keys
}

func (s *s3Store) requestCounts() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.requests)
}

// decodeAWSChunked turns an upload in the aws-chunked encoding with an unsigned trailer
// (what current AWS SDKs send for streamed bodies when they add a checksum) into the plain
// body gofakes3 expects. The signed variant (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) gofakes3
// decodes itself.
func decodeAWSChunked(r *http.Request) error {
	sha := r.Header.Get("X-Amz-Content-Sha256")
	if !strings.HasPrefix(sha, "STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
		return nil
	}
	br := bufio.NewReader(r.Body)
	var body bytes.Buffer
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("aws-chunked: chunk header: %w", err)
		}
		sizeHex, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), ";")
		size, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil {
			return fmt.Errorf("aws-chunked: chunk size %q: %w", sizeHex, err)
		}
		if size == 0 {
			break // trailers (the checksum) follow; the test does not verify them
		}
		if _, err := io.CopyN(&body, br, size); err != nil {
			return fmt.Errorf("aws-chunked: chunk data: %w", err)
		}
		if _, err := br.Discard(2); err != nil { // CRLF after the data
			return fmt.Errorf("aws-chunked: chunk end: %w", err)
		}
	}
	if want := r.Header.Get("X-Amz-Decoded-Content-Length"); want != "" && want != strconv.Itoa(body.Len()) {
		return fmt.Errorf("aws-chunked: decoded %d bytes, header says %s", body.Len(), want)
	}
	r.Body = io.NopCloser(&body)
	r.ContentLength = int64(body.Len())
	r.Header.Set("Content-Length", strconv.Itoa(body.Len()))
	r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	r.Header.Del("Content-Encoding")
	return nil
}
