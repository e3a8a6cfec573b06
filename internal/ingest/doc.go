// Package ingest parses the fact feeds that laboratories, epidemiological
// investigators, isolation points, border control, carriers and vaccination
// systems send, in CSV or NDJSON, one row at a time. It is the pure parsing
// layer: no database, no HTTP, no clock (the caller passes now). This
// comment is the contract feed providers implement.
//
// # Kinds
//
// A feed holds rows of one kind, named in its address, POST
// /api/v1/feeds/{kind}. Every kind but designation is about a person, named
// by an identity document, and becomes one fact of the rules engine:
//
//	kind          fact          at is
//	lab           test          when the result was known (not the sampling)
//	case          case          when the case was registered
//	case_closed   case_closed   when the person was discharged, or the case excluded
//	contact       contact       when the contact was found
//	isolation     isolation     when the isolation started, or was released
//	entry         entry         when the person entered the country
//	trip          area_stay     when the stay became known (telecom trips and stays)
//	vaccination   vaccination   when the dose was given
//	designation   —             (no at: an area's risk level, not a person's fact)
//
// A trip sent without a level is a plain stay, which colours nobody by
// itself: a designation of its area whose period it overlaps makes it an
// area stay at the designation's level, whichever of the two arrives
// first. A trip sent with a level carries its designation already.
//
// # Columns of every person kind
//
//	source_ref  required  the provider's own record id, at most 128 characters; it
//	                      identifies the row in reports and makes a resent row harmless
//	doc_type    optional  resident_id (the default), hk_macao_permit, taiwan_permit
//	                      or passport
//	doc_number  required  the document number, checked as on application: a resident
//	                      ID is 17 digits and a check character (GB 11643) with a real
//	                      province and a birth date not in the future; a HK/Macao
//	                      permit H or M and 8 digits (10 with the renewal count); a
//	                      Taiwan permit 8 digits; a passport 5 to 17 letters A-Z and
//	                      digits. Spaces are dropped and a-z upper-cased first.
//	at          required  a time (see Values), meaning what the table above says
//
// # Columns per kind
//
// After the common columns:
//
//	lab          sampled         required  time; not after at
//	             result          required  negative | positive
//	             lab             optional  text: the laboratory's name
//	case         type            required  confirmed | clinical | asymptomatic | suspected | fever_clinic
//	             onset           optional  time or date: symptom onset
//	             first_positive  optional  time or date: the first positive sample
//	case_closed  outcome         required  cured | excluded
//	contact      type            required  close | sub_close | companion
//	             exposure        required  time; not after at: the last exposure
//	             confined        optional  boolean, default false: in a confined space with a case
//	isolation    setting         required  centralized | home
//	             event           required  start | release
//	entry        port            optional  text: the port of entry
//	             country         optional  text: the country the person came from
//	trip         area            required  area: where the person stayed
//	             level           optional  high | medium | sealed | control; absent: designations decide
//	             from            required  time or date: the stay began
//	             to              optional  time or date (end of day); not before from; absent: still there
//	vaccination  dose            required  integer 1 to 10
//	             product         optional  text: the vaccine
//
// A designation row has no doc_type, doc_number or at; it says an area had
// a risk level from one time until another:
//
//	designation  source_ref      required  as above
//	             area            required  area
//	             level           required  high | medium | sealed | control
//	             from            required  time or date
//	             to              optional  time or date (end of day); not before from; absent: until further notice
//
// # Values
//
// Values are trimmed of surrounding white space; an empty value is an
// absent one. A feed is UTF-8.
//
//   - A time is RFC 3339 with an offset, 2026-03-14T10:00:00+08:00 or
//     2026-03-14T02:00:00Z (fractions of a second allowed), or
//     2026-03-14 10:00 or 2026-03-14 10:00:00, read as China time (UTC+8,
//     a fixed offset). Nothing else: no offset-less 2026-03-14T10:00, no
//     other separators, no Unix seconds.
//   - A "time or date" is also a date alone, 2026-03-14: for onset,
//     first_positive and from it means 00:00 China time that day; for to
//     it means the end of that day, 00:00 China time the next day, so that
//     from 2026-03-14 to 2026-03-14 is the whole of one day.
//   - Every time is returned in China time, whatever offset it was written
//     with.
//   - An enumeration (result, type, outcome, setting, event, level,
//     doc_type) is one of the listed words in any ASCII case; the lower-case
//     spelling is kept.
//   - A boolean is true or false, 1 or 0, yes or no, in any case.
//   - An integer is written in decimal digits, without a fraction.
//   - Text is one line of at most 128 characters (valid UTF-8, no control
//     characters such as tabs or line breaks); so is source_ref.
//   - An area is a 6-digit administrative division code (GB/T 2260, e.g.
//     330106), which must have a real province, or else a place name as text.
//
// # CSV
//
// RFC 4180: comma-separated, fields holding commas, quotes or line breaks
// in double quotes, a quote inside a quoted field doubled; CRLF or LF line
// ends. The first line is the header naming the columns of the rows, in
// any order, each at most once. A column the kind does not have is an
// error (so that a typo such as smapled is caught rather than ignored), as
// is a missing required column; optional columns may be left out. A
// byte-order mark before the header is ignored, and so are blank lines.
// Every row has as many fields as the header.
//
//	source_ref,doc_number,at,sampled,result,lab
//	R-1001,11010519491231002X,2026-03-14 10:00,2026-03-13 16:30,negative,"West Lake Lab, No. 2"
//
// # NDJSON
//
// One JSON object per line, the keys its columns, each at most once, in any
// order; blank lines are skipped; CRLF or LF line ends. An unknown key is a
// problem of its row. A value may be a JSON string; a number (written as
// it is, e.g. 330106 or 2) where the column is text, an area or an
// integer; a boolean where it is a boolean (so is a number 1 or 0). null
// is an absent value. doc_number and times must be strings: a number would
// lose leading zeros and letters.
//
//	{"source_ref":"R-1001","doc_number":"11010519491231002X","at":"2026-03-14T10:00:00+08:00","sampled":"2026-03-13 16:30","result":"negative"}
//
// # Problems
//
// A row with a bad value is rejected and the rows after it are still read.
// A rejection names the physical line of the file (counting from 1, the
// CSV header being line 1, and counting every line of a quoted field that
// spans several), the column or key, and the first problem found, checking
// the columns in the order listed above (for NDJSON an unknown or repeated
// key first). A problem of the whole row (a CSV row with the wrong number
// of fields, an NDJSON line that is JSON but not an object) names no
// column.
//
// The server rejects more rows in the same form once it has read them: a
// row about a person whose declared region lies outside the feed key's
// region names the column doc_number and the reason "the person is
// outside this key's region CODE". A row about someone who has not applied
// yet is kept and reaches them only if they declare a region within the
// key's.
//
// A problem of the file stops it: an empty CSV feed, a bad header, broken
// CSV quoting, an NDJSON line that is not JSON, or a record or line over
// 64 KiB. The rows before it have been returned already.
//
// A Decoder holds one row at a time: a feed of any length is read in
// constant memory.
package ingest
