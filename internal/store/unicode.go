package store

import "unicode"

// unicodeMn is the set of nonspacing marks (the accents NFD splits off).
var unicodeMn = unicode.Mn
