"""What is known about an article that is not its text: outlet and publication date."""
