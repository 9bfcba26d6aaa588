"""The programme's plain records, vocabularies and errors: no ORM, no GraphQL, no store."""
