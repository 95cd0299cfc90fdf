from cvtex.cli import main

main()
