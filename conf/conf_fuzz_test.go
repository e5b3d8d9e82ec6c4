package conf

import (
	"strings"
	"testing"
)

// FuzzLoad reads arbitrary properties text and validates it as server
// configuration: no panic; a configuration is either refused with an error
// or comes back whole (sections built, limits sane).
func FuzzLoad(f *testing.F) {
	f.Add("kitsune.frontend.thrift.binary.bind.port=10009\nkyuubi.session.idle.timeout PT1H\n")
	f.Add("kitsune.engine.max.concurrent.launches=0\n")
	f.Add("___alice___.kitsune.engine.memory=4g\n___group:etl___.kitsune.engine.queue=etl\n")
	f.Add("kitsune.server.proxyuser.hive.users=*\nkitsune.server.proxyuser..hosts=x\n")
	f.Add("kitsune.frontend.thrift.max.message.size=99999999999g\n# c\n! c\nbad\n")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ReadProperties(strings.NewReader(text), "fuzz")
		if err != nil {
			return
		}
		c, err := FromMap(m)
		if err != nil {
			return
		}
		if c.Engines.MaxConcurrentLaunches < 1 || c.MaxMessageSize <= 0 || c.Engines.Forwarded == nil || c.ProxyUsers == nil {
			t.Fatalf("accepted an unusable configuration from %q: %+v", text, c)
		}
	})
}
