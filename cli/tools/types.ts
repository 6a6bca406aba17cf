// A JSON-in, JSON-out tool of DESIGN.md's contracts. It parses its own flags and throws InputError on bad input.
export interface Tool {
  /** One line for `dlclaims --help`. */
  usage: string;
  run(argv: string[]): Promise<unknown> | unknown;
}
