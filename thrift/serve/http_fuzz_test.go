package serve

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"go.uber.org/zap"

	tcli "github.com/kitsune-sql/kitsune/thrift/gen/tcliservice"
)

// FuzzHTTPTransport feeds whole HTTP requests (request line, headers with
// cookies and Basic or Negotiate credentials, body) to the HTTP transport:
// no panic, an answer for every request, never a 200 for a request that
// did not authenticate, and no body read past the configured size.
func FuzzHTTPTransport(f *testing.F) {
	var body bytes.Buffer
	p := thrift.NewTBinaryProtocolConf(thrift.NewStreamTransportW(&body), nil)
	_ = p.WriteMessageBegin(context.Background(), "OpenSession", thrift.CALL, 1)
	_ = (&tcli.TCLIServiceOpenSessionArgs{Req: &tcli.TOpenSessionReq{ClientProtocol: tcli.TProtocolVersion_HIVE_CLI_SERVICE_PROTOCOL_V10}}).Write(context.Background(), p)
	_ = p.WriteMessageEnd(context.Background())
	_ = p.Flush(context.Background())
	valid := "POST /cliservice HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dTpwdw==\r\nContent-Type: application/x-thrift\r\nContent-Length: " +
		itoa(body.Len()) + "\r\n\r\n" + body.String()
	f.Add([]byte(valid))
	f.Add([]byte("POST /cliservice HTTP/1.1\r\nHost: x\r\nAuthorization: Negotiate YIIB\r\nContent-Length: 3\r\n\r\nabc"))
	f.Add([]byte("POST /cliservice HTTP/1.1\r\nHost: x\r\nCookie: hive.server2.auth=u=alice&e=99999999999&s=00\r\nContent-Length: 0\r\n\r\n"))
	f.Add([]byte("POST /cliservice HTTP/1.1\r\nHost: x\r\nAuthorization: Basic !!!\r\nContent-Length: 999999999\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	const limit = 64 << 10
	s := New(Config{MaxMessageSize: limit, Cookie: CookieConfig{Enabled: true, MaxAge: time.Hour}}, &fake{}, onlyUPW{}, zap.NewNop())
	f.Fuzz(func(t *testing.T, raw []byte) {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return // not HTTP: net/http answers it before the transport does
		}
		req.RemoteAddr = "127.0.0.1:1"
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		// Cookies are signed with a random key: none in the input is valid.
		if u, p, _ := req.BasicAuth(); w.Code == http.StatusOK && (u != "u" || p != "pw") {
			t.Fatalf("answered 200 to a request without valid credentials: %q", raw)
		}
		if w.Code == 0 {
			t.Fatal("no answer")
		}
	})
}

// onlyUPW accepts user u with password pw only.
type onlyUPW struct{}

func (onlyUPW) Authenticate(_ context.Context, user, password, _ string) (string, error) {
	if user != "u" || password != "pw" {
		return "", errors.New("bad credentials")
	}
	return user, nil
}

func itoa(n int) string {
	var b []byte
	for ; n > 0 || len(b) == 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// FuzzRequestStructs decodes arbitrary bytes as every TCLIService request
// struct the gateway reads: no panic, and a refusal (not an allocation) of
// sizes beyond the configured limit.
func FuzzRequestStructs(f *testing.F) {
	var seed bytes.Buffer
	p := thrift.NewTBinaryProtocolConf(thrift.NewStreamTransportW(&seed), nil)
	_ = (&tcli.TExecuteStatementReq{SessionHandle: &tcli.TSessionHandle{SessionId: NewHandleID()}, Statement: "SELECT 1",
		ConfOverlay: map[string]string{"k": "v"}, Parameters: []*tcli.TSparkParameter{{Ordinal: new(int32(1))}}}).Write(context.Background(), p)
	_ = p.Flush(context.Background())
	f.Add(seed.Bytes())
	f.Add([]byte{0x0d, 0x00, 0x01, 0x0b, 0x0b, 0x7f, 0xff, 0xff, 0xff}) // a 2 GiB map
	news := []func() thrift.TStruct{
		func() thrift.TStruct { return tcli.NewTOpenSessionReq() }, func() thrift.TStruct { return tcli.NewTExecuteStatementReq() },
		func() thrift.TStruct { return tcli.NewTFetchResultsReq() }, func() thrift.TStruct { return tcli.NewTGetOperationStatusReq() },
		func() thrift.TStruct { return tcli.NewTGetTablesReq() }, func() thrift.TStruct { return tcli.NewTGetColumnsReq() },
		func() thrift.TStruct { return tcli.NewTGetInfoReq() }, func() thrift.TStruct { return tcli.NewTCloseOperationReq() },
		func() thrift.TStruct { return tcli.NewTCancelOperationReq() }, func() thrift.TStruct { return tcli.NewTGetResultSetMetadataReq() },
		func() thrift.TStruct { return tcli.NewTGetSchemasReq() }, func() thrift.TStruct { return tcli.NewTGetFunctionsReq() },
		func() thrift.TStruct { return tcli.NewTGetCrossReferenceReq() }, func() thrift.TStruct { return tcli.NewTSetClientInfoReq() },
	}
	cfg := &thrift.TConfiguration{MaxMessageSize: 64 << 10}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, n := range news {
			buf := thrift.NewTMemoryBufferLen(len(in))
			_, _ = buf.Write(in)
			_ = n().Read(context.Background(), thrift.NewTBinaryProtocolConf(buf, cfg))
		}
	})
}
