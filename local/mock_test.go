package local

import "testing"

// TestMockResponse: a MOCK integration's status is the statusCode its
// request template renders; no output counts as 200; anything else is a
// configuration error (API Gateway answers 500).
func TestMockResponse(t *testing.T) {
	for payload, want := range map[string]int{
		`{"statusCode": 200}`:               200,
		"{\"statusCode\": 401}\n":           401,
		`{"statusCode": 503, "other": "x"}`: 503,
		"":                                  200,
		" \n":                               200,
		`{"statusCode": "200"}`:             -1,
		`{"status": 200}`:                   -1,
		`{"statusCode": 99}`:                -1,
		`{"statusCode": 2.5}`:               -1,
		`statusCode=200`:                    -1,
		`{"statusCode": 200`:                -1,
	} {
		got, err := mockResponse(payload)
		switch {
		case want < 0 && err == nil:
			t.Errorf("%q: status %d, want a configuration error", payload, got.status)
		case want > 0 && (err != nil || got.status != want):
			t.Errorf("%q: %v, %v; want %d", payload, got, err, want)
		}
	}
}
