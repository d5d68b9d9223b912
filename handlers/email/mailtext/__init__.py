"""Reading the customer's own words out of a mail's text: where quoted history starts (reply headers,
Outlook header blocks, separators, in many languages), interleaved and bottom-posted replies, forwarded
headers, signatures and confidentiality notices. Used by handlers/email/parse.py on top of
mail-parser-reply."""
