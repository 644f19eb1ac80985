"""One screen per file: pick, answer (and the follow-up round), results, history, compare, help, draft."""
