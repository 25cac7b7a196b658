"""The site shell: what every page shares that needs the apps (home, menus, period, demo)."""
