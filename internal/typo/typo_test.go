package typo

import "testing"

func TestNearest(t *testing.T) {
	keys := []string{"name", "ttl", "types", "interface_id", "max-hostnames"}
	for typed, want := range map[string]string{
		"nmae": "name", "type": "types", "tl": "ttl", "interfaceid": "interface_id",
		"max-hostname": "max-hostnames", "maxhostnmes": "max-hostnames",
		"zone": "", "name": "", "nmea": "", "x": "",
	} {
		if got := Nearest(typed, keys); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", typed, got, want)
		}
	}
}
