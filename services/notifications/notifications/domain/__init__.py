"""What a notification is and when it goes out, free of I/O."""
