"""The demo workspace: sign-in accounts, the seeders that write it into a helpdesk database, and its texts.

``accounts`` imports nothing else, so the GUI can name the demo accounts without importing the server.
"""
