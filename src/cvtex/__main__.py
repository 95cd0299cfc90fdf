from cvtex.client import main

main()
