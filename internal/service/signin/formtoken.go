package signin

import "encoding/base64"

// purposeForm keys the pages' form tokens apart from identity lookups and
// venue codes.
const purposeForm = "form"

// FormToken returns the form token bound to binding (a session's token,
// or a browser's id before any session): a MAC under the deployment's
// secret key, so every server of a deployment accepts another's, and
// nobody without the key can make the token of a session. The pages call
// it; it reveals nothing of binding.
func (s *Sessions) FormToken(binding string) string {
	return base64.RawURLEncoding.EncodeToString(s.box.Hash(purposeForm, binding))
}
