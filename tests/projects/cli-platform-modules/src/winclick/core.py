import sys

from winclick._compat import WIN


def echo(message: str) -> None:
    if WIN:
        from winclick._winconsole import write_console

        write_console(message)
    else:
        sys.stdout.write(message + "\n")


def main() -> None:
    echo(" ".join(sys.argv[1:]))
