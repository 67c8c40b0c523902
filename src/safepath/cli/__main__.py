from safepath.cli.main import main

main()
