package password

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"
)

// Length bounds. ASVS asks for at least 8 and allows at least 64; longer
// than MaxLength is refused, never truncated. MaxBytes caps what is hashed
// whatever the characters.
const (
	MinLength = 8
	MaxLength = 128
	MaxBytes  = 1024
)

// Check applies the policy to a new password and returns a sentence for
// the person when it is refused. There are no composition rules: a long
// password of one letter repeated is fine unless it is common.
func Check(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return fmt.Errorf("the password is not valid text")
	case n < MinLength:
		return fmt.Errorf("the password must have at least %d characters", MinLength)
	case n > MaxLength || len(password) > MaxBytes:
		return fmt.Errorf("the password must have at most %d characters", MaxLength)
	case Common(password):
		return fmt.Errorf("this password is one of the most common ones; choose another")
	}
	return nil
}

// Common reports whether password, ignoring case, is on the list of common
// passwords zxcvbn ships: 30,000 entries ranked from leaked password
// collections.
func Common(password string) bool {
	commonOnce.Do(loadCommon)
	return common[strings.ToLower(password)]
}

var (
	commonOnce sync.Once
	common     map[string]bool
)

// loadCommon keeps the entries a password could be: at least MinLength
// characters (about half of the list).
func loadCommon() {
	list := frequency.FrequencyLists["passwords"]
	common = make(map[string]bool, len(list)/2)
	for _, p := range list {
		if utf8.RuneCountInString(p) >= MinLength {
			common[p] = true
		}
	}
}
