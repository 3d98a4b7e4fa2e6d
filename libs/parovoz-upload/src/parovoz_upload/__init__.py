"""parovoz-upload: a studio's build uploader for the Parovoz developer portal (see ``--help``)."""
