"""Storage, Resend and Clerk behind small interfaces."""
