from serving_math import main

main()
