"""IKZ Dashboard: inter-municipal cooperations of Erfurt and Magdeburg, parsed, classified and charted."""
