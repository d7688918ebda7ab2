"""ProLearn's shared kernel: config, logging, web plumbing, auth, events, outbox/inbox, DynamoDB."""
