"""The web chat widget (``static/tthc-chat.js``) and the small server of its demo page."""
