"""Official documents (公文) as PDF: the meeting notice, the sign-in sheet, the minutes
and the resolution notice, laid out after GB/T 9704 and verifiable against the log
(docs/documents.md)."""
