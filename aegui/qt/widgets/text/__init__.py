"""Text several panels show: `pieces` (a label elided to its width, durations, file-write errors
as one sentence), `note` (a coloured note that follows the theme), `terms` (the words of the trade,
each explained once) and `title_tip` (a dock's tooltip over its title bar only)."""
