"""Who may do what: signed role links, join codes, signatures of syntheses, the links printed for each role."""
