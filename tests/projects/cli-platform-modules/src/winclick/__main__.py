from winclick.core import main

main()
