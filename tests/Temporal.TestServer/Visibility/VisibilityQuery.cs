using System.Globalization;
using System.Text;
using Temporalio.Api.Enums.V1;

namespace OpenDesign.Workflows.Temporal.TestServer.Visibility;

// The subset of Temporal's SQL-like list filter that workflow tests use:
//   WorkflowType = 'X' AND (OdRunId = 'r1' OR OdRunId IN ('r2','r3')) AND ExecutionStatus != 'Running'
// Supported: = != <> > >= < <=, [NOT] IN (...), [NOT] BETWEEN a AND b, IS [NOT] NULL, STARTS_WITH,
// AND / OR / NOT, parentheses, ORDER BY (accepted; results are always newest start first).
// Unlike a real server the result is immediately consistent, which only makes tests less flaky.
internal sealed class VisibilityQuery
{
    private readonly Func<Func<string, object?>, bool> _predicate;

    private VisibilityQuery(Func<Func<string, object?>, bool> predicate) => _predicate = predicate;

    public static readonly VisibilityQuery All = new(_ => true);

    public bool Matches(Func<string, object?> valueOf) => _predicate(valueOf);

    // Throws FormatException with a message meant for the caller (sent back as InvalidArgument).
    public static VisibilityQuery Parse(string? text, SearchAttributeRegistry registry)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return All;
        }
        var parser = new Parser(Tokenize(text), registry);
        return new VisibilityQuery(parser.ParseQuery());
    }

    private enum TokenKind { Identifier, String, Number, Symbol, End }

    private readonly record struct Token(TokenKind Kind, string Text)
    {
        public bool IsWord(string word) => Kind == TokenKind.Identifier && Text.Equals(word, StringComparison.OrdinalIgnoreCase);
        public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && Text == symbol;
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '\'' or '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < text.Length && text[i] != c)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }
                    sb.Append(text[i++]);
                }
                if (i >= text.Length)
                {
                    throw new FormatException("invalid query: unterminated string literal");
                }
                i++;
                tokens.Add(new Token(TokenKind.String, sb.ToString()));
            }
            else if (c == '`')
            {
                var end = text.IndexOf('`', i + 1);
                if (end < 0)
                {
                    throw new FormatException("invalid query: unterminated back-quoted name");
                }
                tokens.Add(new Token(TokenKind.Identifier, text[(i + 1)..end]));
                i = end + 1;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                {
                    i++;
                }
                tokens.Add(new Token(TokenKind.Identifier, text[start..i]));
            }
            else if (char.IsDigit(c) || (c == '-' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                var start = i++;
                while (i < text.Length && (char.IsDigit(text[i]) || text[i] is '.' or 'e' or 'E'))
                {
                    i++;
                }
                tokens.Add(new Token(TokenKind.Number, text[start..i]));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                if (two is "!=" or "<>" or ">=" or "<=")
                {
                    tokens.Add(new Token(TokenKind.Symbol, two == "<>" ? "!=" : two));
                    i += 2;
                }
                else if (c is '=' or '<' or '>' or '(' or ')' or ',')
                {
                    tokens.Add(new Token(TokenKind.Symbol, c.ToString()));
                    i++;
                }
                else
                {
                    throw new FormatException($"invalid query: unexpected character '{c}'");
                }
            }
        }
        tokens.Add(new Token(TokenKind.End, ""));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens, SearchAttributeRegistry registry)
    {
        private int _position;

        private Token Peek => tokens[_position];

        private Token Next() => tokens[_position++];

        public Func<Func<string, object?>, bool> ParseQuery()
        {
            var predicate = Peek.IsWord("ORDER") ? (_ => true) : ParseOr();
            if (Peek.IsWord("ORDER"))
            {
                // ORDER BY is accepted for compatibility; the list is always newest first.
                while (Peek.Kind != TokenKind.End)
                {
                    Next();
                }
            }
            if (Peek.Kind != TokenKind.End)
            {
                throw new FormatException($"invalid query: unexpected '{Peek.Text}'");
            }
            return predicate;
        }

        private Func<Func<string, object?>, bool> ParseOr()
        {
            var left = ParseAnd();
            while (Peek.IsWord("OR"))
            {
                Next();
                var l = left;
                var r = ParseAnd();
                left = v => l(v) || r(v);
            }
            return left;
        }

        private Func<Func<string, object?>, bool> ParseAnd()
        {
            var left = ParseUnary();
            while (Peek.IsWord("AND"))
            {
                Next();
                var l = left;
                var r = ParseUnary();
                left = v => l(v) && r(v);
            }
            return left;
        }

        private Func<Func<string, object?>, bool> ParseUnary()
        {
            if (Peek.IsWord("NOT"))
            {
                Next();
                var inner = ParseUnary();
                return v => !inner(v);
            }
            if (Peek.IsSymbol("("))
            {
                Next();
                var inner = ParseOr();
                Expect(")");
                return inner;
            }
            return ParsePredicate();
        }

        private Func<Func<string, object?>, bool> ParsePredicate()
        {
            var nameToken = Next();
            if (nameToken.Kind != TokenKind.Identifier)
            {
                throw new FormatException($"invalid query: expected a search attribute name, got '{nameToken.Text}'");
            }
            var name = nameToken.Text;
            if (!registry.TryGetType(name, out var type))
            {
                throw new FormatException($"invalid query: unable to convert filter expression: '{name}' is not a valid search attribute");
            }

            if (Peek.IsWord("IS"))
            {
                Next();
                var negate = Peek.IsWord("NOT");
                if (negate)
                {
                    Next();
                }
                ExpectWord("NULL");
                return v => (v(name) is null) != negate;
            }
            var not = false;
            if (Peek.IsWord("NOT"))
            {
                Next();
                not = true;
            }
            if (Peek.IsWord("IN"))
            {
                Next();
                Expect("(");
                var values = new List<object>();
                do
                {
                    values.Add(Literal(Next(), type));
                }
                while (TrySymbol(","));
                Expect(")");
                return v => values.Any(x => Compare(v(name), x, "=")) != not;
            }
            if (Peek.IsWord("BETWEEN"))
            {
                Next();
                var low = Literal(Next(), type);
                ExpectWord("AND");
                var high = Literal(Next(), type);
                return v => (Compare(v(name), low, ">=") && Compare(v(name), high, "<=")) != not;
            }
            if (not)
            {
                throw new FormatException("invalid query: NOT must be followed by IN or BETWEEN here");
            }
            if (Peek.IsWord("STARTS_WITH"))
            {
                Next();
                var prefix = Next().Text;
                return v => v(name) is string s && s.StartsWith(prefix, StringComparison.Ordinal);
            }
            var op = Next();
            if (op.Kind != TokenKind.Symbol || op.Text is "(" or ")" or ",")
            {
                throw new FormatException($"invalid query: expected an operator after {name}");
            }
            var literal = Literal(Next(), type);
            if (op.Text == "!=")
            {
                return v => !Compare(v(name), literal, "=");
            }
            return v => Compare(v(name), literal, op.Text);
        }

        private static object Literal(Token token, IndexedValueType type)
        {
            if (token.Kind is not (TokenKind.String or TokenKind.Number or TokenKind.Identifier))
            {
                throw new FormatException($"invalid query: expected a value, got '{token.Text}'");
            }
            try
            {
                return type switch
                {
                    IndexedValueType.Int => long.Parse(token.Text, CultureInfo.InvariantCulture),
                    IndexedValueType.Double => double.Parse(token.Text, CultureInfo.InvariantCulture),
                    IndexedValueType.Bool => bool.Parse(token.Text),
                    IndexedValueType.Datetime => DateTimeOffset.Parse(token.Text, CultureInfo.InvariantCulture).UtcDateTime,
                    _ => token.Text,
                };
            }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                throw new FormatException($"invalid query: '{token.Text}' is not a valid {type} value");
            }
        }

        // Missing values never match a comparison; a list value matches when any element does.
        private static bool Compare(object? actual, object expected, string op)
        {
            if (actual is null)
            {
                return false;
            }
            if (actual is string[] list)
            {
                return list.Any(item => Compare(item, expected, op));
            }
            int order;
            switch (actual)
            {
                case string s when expected is string e:
                    order = string.CompareOrdinal(s, e);
                    break;
                case long l when expected is long e:
                    order = l.CompareTo(e);
                    break;
                case double d when expected is double e:
                    order = d.CompareTo(e);
                    break;
                case bool b when expected is bool e:
                    order = b.CompareTo(e);
                    break;
                case DateTime t when expected is DateTime e:
                    order = t.CompareTo(e);
                    break;
                default:
                    order = string.CompareOrdinal(Convert.ToString(actual, CultureInfo.InvariantCulture), Convert.ToString(expected, CultureInfo.InvariantCulture));
                    break;
            }
            return op switch
            {
                "=" => order == 0,
                ">" => order > 0,
                ">=" => order >= 0,
                "<" => order < 0,
                "<=" => order <= 0,
                _ => throw new FormatException($"invalid query: unsupported operator {op}"),
            };
        }

        private bool TrySymbol(string symbol)
        {
            if (!Peek.IsSymbol(symbol))
            {
                return false;
            }
            Next();
            return true;
        }

        private void Expect(string symbol)
        {
            if (!TrySymbol(symbol))
            {
                throw new FormatException($"invalid query: expected '{symbol}'");
            }
        }

        private void ExpectWord(string word)
        {
            if (!Peek.IsWord(word))
            {
                throw new FormatException($"invalid query: expected {word}");
            }
            Next();
        }
    }
}
