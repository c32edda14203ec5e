"""What the user reads: plans, drift, validation and apply results as text, JSON or Markdown,
each renderer writing to the stream it is given."""
