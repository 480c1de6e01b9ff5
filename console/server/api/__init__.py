"""The helpdesk's HTTP layer: one router module per resource, plus paging, authentication and rate limits."""
