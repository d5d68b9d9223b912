"""The account book: who owns each account, what it is worth, when it renews, and outreach suppression."""
