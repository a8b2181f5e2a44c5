// Package smsbackup reads the XML exports of the Android app SMS Backup &
// Restore one record at a time, in constant memory, and tolerates the
// damage such files pick up on their way to us.
//
// # Why not encoding/xml
//
// The app writes emoji as two character references to UTF-16 surrogates
// (&#55357;&#56832;), which a conforming XML parser rejects, and the files
// users send have often been through a PDF or an editor and are no longer
// well-formed. So the package has its own scanner over a bufio.Reader. It
// holds at most one start tag (bounded by Options.MaxElementBytes), never
// a whole file, and skips MMS parts without holding them.
//
// # What it accepts and refuses
//
// Reading stops with an error wrapping a *momo.Error of code
// momo.CodeInvalid, whose message is one line and quotes nothing from the
// file except a sanitised encoding name, when the input is empty, is not
// XML, has no <smses> root, declares a DTD or entities (never expanded),
// declares an encoding other than UTF-8, or starts with a UTF-16 or UTF-32
// byte-order mark. A UTF-8 byte-order mark is skipped. Bytes that are not
// valid UTF-8 are passed on unchanged; judging them is the importer's job.
//
// References: the five predefined entities and decimal and hexadecimal
// character references are decoded; a surrogate pair becomes its
// character; a lone surrogate, NUL or a value beyond Unicode becomes
// U+FFFD; any other "&name;" and any malformed reference stay as written.
//
// # Damaged files
//
// A literal line break inside a value never comes from the app (it writes
// &#10;), so it is taken for re-wrapping and undone: removed inside
// numbers, removed after a hyphen between letters or digits ("2024-" /
// "05-12" is one date), and otherwise replaced by the space the wrapper
// dropped. Checked against the clean copy of the corpus, this undoes every
// line break of the wrapped copy correctly; what it cannot restore is a run
// of spaces that the PDF step collapsed into one, since no trace is left.
//
// Attributes need no space between them, a raw '<' anywhere ends the
// current element (the app escapes '<' in values, so a raw one is the next
// element after a page-break splice), and text between elements is
// skipped. An element that could not be fully recovered is returned with
// Damage set: a fixed sentence naming the problem and, where useful, a line
// number, never message text. Besides the structural problems (cut off,
// too large, stray text, bad quoting, a repeated attribute), an <sms> is
// damaged when it lacks address, date or body, or when its readable_date is
// not the moment in date as seen from any time zone: the sign of the head
// of one message glued to the tail of another. The head's fields are kept.
//
// Duplicated elements are returned as often as they occur; removing them is
// the importer's job, as for every other channel.
//
// # Truncated files
//
// A file that ends before </smses> yields its complete records, then, if
// the input stops inside an element, that element as a damaged Record, and
// then an error wrapping ErrTruncated ("file is truncated after record N",
// or "... it ends inside record N"), instead of io.EOF. Callers that keep
// partial imports test errors.Is(err, ErrTruncated). Anything after
// </smses> is ignored.
package smsbackup
