//! POSIX `getopt` as glibc runs it for kcat: clustered flags (`-Ce`),
//! arguments attached or separate (`-c10`, `-c 10`), options and operands
//! in any order (glibc permutes: `kcat -G g topic -e` reads `-e`), `--`
//! ending the options, and a lone `-` being an operand. kcat's option
//! string starts with `:`, so glibc prints nothing itself: an unknown
//! option or a missing argument comes back as an error event, in order.

/// One step of the parse, in command-line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opt {
    /// A known option and its argument, if it takes one.
    Flag(char, Option<String>),
    /// An unknown option (`?`) or one missing its argument (`:`).
    Bad(char),
}

/// Splits `args` (without the program name) by `spec` (getopt's option
/// string, leading `:` allowed): the options in order, then the operands.
pub fn parse(spec: &str, args: &[String]) -> (Vec<Opt>, Vec<String>) {
    let spec = spec.strip_prefix(':').unwrap_or(spec);
    let takes_arg = |c: char| -> Option<bool> {
        let i = spec.find(c)?;
        if c == ':' {
            return None;
        }
        Some(spec[i + c.len_utf8()..].starts_with(':'))
    };
    let mut opts = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            operands.extend(args[i..].iter().cloned());
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            operands.push(arg.clone());
            continue;
        }
        let cluster: Vec<char> = arg[1..].chars().collect();
        let mut j = 0;
        while j < cluster.len() {
            let c = cluster[j];
            j += 1;
            match takes_arg(c) {
                None => opts.push(Opt::Bad(c)),
                Some(false) => opts.push(Opt::Flag(c, None)),
                Some(true) => {
                    if j < cluster.len() {
                        opts.push(Opt::Flag(c, Some(cluster[j..].iter().collect())));
                    } else if i < args.len() {
                        opts.push(Opt::Flag(c, Some(args[i].clone())));
                        i += 1;
                    } else {
                        opts.push(Opt::Bad(c));
                    }
                    break;
                }
            }
        }
    }
    (opts, operands)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> (Vec<Opt>, Vec<String>) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse(":Cec:t:X:", &args)
    }

    fn f(c: char, a: Option<&str>) -> Opt {
        Opt::Flag(c, a.map(str::to_string))
    }

    #[test]
    fn clusters_attached_and_separate_arguments() {
        assert_eq!(
            p(&["-Ce", "-c10", "-c", "10"]).0,
            vec![f('C', None), f('e', None), f('c', Some("10")), f('c', Some("10"))]
        );
        assert_eq!(p(&["-Cet", "x"]).0, vec![f('C', None), f('e', None), f('t', Some("x"))]);
        assert_eq!(p(&["-Ctx"]).0, vec![f('C', None), f('t', Some("x"))]);
        // An argument may start with '-'.
        assert_eq!(p(&["-c", "-5"]).0, vec![f('c', Some("-5"))]);
    }

    #[test]
    fn operands_are_permuted_and_dash_dash_ends_options() {
        let (o, ops) = p(&["a", "-C", "b", "-", "--", "-e"]);
        assert_eq!(o, vec![f('C', None)]);
        assert_eq!(ops, vec!["a", "b", "-", "-e"]);
    }

    #[test]
    fn unknown_and_missing() {
        assert_eq!(p(&["-Cz"]).0, vec![f('C', None), Opt::Bad('z')]);
        assert_eq!(p(&["-t"]).0, vec![Opt::Bad('t')]);
        assert_eq!(p(&["-:"]).0, vec![Opt::Bad(':')]);
        assert_eq!(
            p(&["--long"]).0,
            vec![
                Opt::Bad('-'),
                Opt::Bad('l'),
                Opt::Bad('o'),
                Opt::Bad('n'),
                Opt::Bad('g')
            ]
        );
    }
}
