// Package archtest holds tests that check the shape of the code rather than its behaviour: rules from
// CONTRIBUTING.md that a reviewer would otherwise have to remember, such as "SQL lives only in store
// files". It has no code of its own beyond this comment.
package archtest
