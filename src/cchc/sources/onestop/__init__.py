"""Source A: one-stop-shop exports and Biểu 06 reports from the landing folder into raw."""
