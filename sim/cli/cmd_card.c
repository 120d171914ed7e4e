/* placeholder until the card commands land */
#include <stdio.h>

#include "cli/cli.h"

int cli_card_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "mynasim card: not built yet\n");
    return CLI_EXIT_USAGE;
}
