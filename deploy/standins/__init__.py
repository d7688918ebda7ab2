"""Local stand-ins for ProLearn's SaaS: a Clerk-like IdP, a Cashfree sandbox, a Resend catcher."""
