"""Reports built from results.json: compliance statement, comparison."""
