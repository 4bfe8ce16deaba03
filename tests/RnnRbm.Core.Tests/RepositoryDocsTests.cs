using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RnnRbm.Core.Tests;

/// <summary>
/// A clone of the repository is all a reader has: every document the code and the docs cite must be in it
/// (issue 11, item 5). The model, numerics and stack references live in docs/model.md, docs/numerics.md and docs/stack.md.
/// </summary>
public class RepositoryDocsTests
{
    // Names of documents that lived outside the repository. Built from parts so that this file does not cite them itself.
    private static readonly string[] OutsideReferences =
    [
        ".." + "/shared",
        "stack-" + "notes.md",
        "rnnrbm-" + "spec.md",
    ];

    // The folders whose text files must not cite anything outside the repository, and the root files beside them.
    private static readonly string[] CheckedFolders = ["src", "tests", "docs", "scripts"];
    private static readonly string[] CheckedRootFiles = ["README.md", "Dockerfile", "docker-compose.yml"];

    [Fact]
    public void MarkdownLinks_PointToFilesAndSectionsInTheRepository()
    {
        string root = RepositoryPaths.Root;
        List<string> files = RepositoryDocs.MarkdownFiles(root).ToList();
        Assert.Contains(files, f => f.EndsWith(Path.Combine("docs", "architecture.md"), StringComparison.Ordinal));

        List<string> broken = files.SelectMany(f => RepositoryDocs.BrokenLinks(root, f)).ToList();

        Assert.True(broken.Count == 0, "Markdown links that lead nowhere in the repository:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void MarkdownLinkCheck_ReportsAMissingFileASectionAndAnEscape()
    {
        DirectoryInfo root = Directory.CreateTempSubdirectory("rnnrbm-links-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "docs"));
            File.WriteAllText(Path.Combine(root.FullName, "docs", "a.md"), """
                # A page

                ## The section, with "punctuation"

                [fine](b.md) [fine too](b.md#bs-heading) [here](#the-section-with-punctuation) [web](https://example.org/x.md)
                [gone](missing.md) [no such section](b.md#nowhere) [out](../../outside.md)
                `[in code](ignored.md)`

                ```
                [in a fence](ignored-too.md)
                ```
                """);
            File.WriteAllText(Path.Combine(root.FullName, "docs", "b.md"), "# B's heading\n");

            List<string> broken = RepositoryDocs.BrokenLinks(root.FullName, Path.Combine(root.FullName, "docs", "a.md")).ToList();

            Assert.Equal(3, broken.Count);
            Assert.Contains(broken, b => b.Contains("missing.md", StringComparison.Ordinal));
            Assert.Contains(broken, b => b.Contains("#nowhere", StringComparison.Ordinal));
            Assert.Contains(broken, b => b.Contains("outside.md", StringComparison.Ordinal));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void NoFile_CitesDocumentsOutsideTheRepository()
    {
        string root = RepositoryPaths.Root;
        var offences = new List<string>();
        foreach (string file in RepositoryDocs.TextFiles(root, CheckedFolders, CheckedRootFiles))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (string outside in OutsideReferences.Where(o => lines[i].Contains(o, StringComparison.OrdinalIgnoreCase)))
                {
                    offences.Add($"{Path.GetRelativePath(root, file)}:{i + 1} cites '{outside}'");
                }
            }
        }

        Assert.True(offences.Count == 0,
            "Cite docs/model.md, docs/numerics.md or docs/stack.md instead:\n" + string.Join('\n', offences));
    }

    [Fact]
    public void DocsAndSectionsNamedInCodeAndDocs_Exist()
    {
        // Comments and prose name docs by their path from the root, often with a section: docs/training.md, "Recipes".
        // The file must exist, and the section must be the start of one of its headings (headings may add a qualifier
        // in brackets that citations leave out).
        string root = RepositoryPaths.Root;
        var missing = new List<string>();
        foreach (string file in RepositoryDocs.TextFiles(root, CheckedFolders, CheckedRootFiles))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match m in RepositoryDocs.DocsCitation().Matches(lines[i]))
                {
                    string doc = m.Groups["doc"].Value;
                    string where = $"{Path.GetRelativePath(root, file)}:{i + 1}";
                    string path = Path.Combine(root, doc);
                    if (!File.Exists(path))
                    {
                        missing.Add($"{where} names {doc}");
                    }
                    else if (m.Groups["section"] is { Success: true } section
                             && !RepositoryDocs.Headings(File.ReadAllText(path))
                                 .Any(h => h.StartsWith(section.Value, StringComparison.OrdinalIgnoreCase)))
                    {
                        missing.Add($"{where} names section \"{section.Value}\" of {doc}, which has no such heading");
                    }
                }
            }
        }

        Assert.True(missing.Count == 0, "Docs or sections named but not in the repository:\n" + string.Join('\n', missing));
    }
}

/// <summary>Finds the markdown and text files of a repository and the links in them that lead nowhere.</summary>
internal static partial class RepositoryDocs
{
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal)
    {
        ".git", "bin", "obj", "node_modules", "TestResults", "var", "out",
    };

    /// <summary>Every <c>*.md</c> file under <paramref name="root"/>, build output and run data aside.</summary>
    public static IEnumerable<string> MarkdownFiles(string root) =>
        Walk(root).Where(f => f.EndsWith(".md", StringComparison.OrdinalIgnoreCase));

    /// <summary>The text files (no NUL byte in their first 8 KiB) under the folders, and the root files that exist.</summary>
    public static IEnumerable<string> TextFiles(string root, IEnumerable<string> folders, IEnumerable<string> rootFiles) =>
        folders.Select(f => Path.Combine(root, f)).Where(Directory.Exists).SelectMany(Walk)
            .Concat(rootFiles.Select(f => Path.Combine(root, f)).Where(File.Exists))
            .Where(IsText);

    /// <summary>
    /// The relative links of <paramref name="markdownFile"/> whose file does not exist, leaves <paramref name="root"/>,
    /// or names a section (<c>#anchor</c>) that the target markdown file does not have. Links in code are not links.
    /// </summary>
    public static IEnumerable<string> BrokenLinks(string root, string markdownFile)
    {
        string fullRoot = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        string text = WithoutCode(File.ReadAllText(markdownFile));
        string where = Path.GetRelativePath(root, markdownFile);

        foreach (Match m in Link().Matches(text))
        {
            string target = m.Groups["target"].Value;
            if (UriScheme().IsMatch(target))
            {
                continue; // https:, mailto: ...: outside by intent, not a file of the repository
            }

            int hash = target.IndexOf('#', StringComparison.Ordinal);
            string pathPart = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
            string? anchor = hash < 0 ? null : target[(hash + 1)..];

            string resolved = pathPart.Length == 0
                ? Path.GetFullPath(markdownFile)
                : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(markdownFile)!, pathPart));
            if (!resolved.StartsWith(fullRoot, StringComparison.Ordinal))
            {
                yield return $"{where}: ({target}) leaves the repository";
                continue;
            }
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                yield return $"{where}: ({target}) names a file that does not exist";
                continue;
            }
            if (anchor is { Length: > 0 } && resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
                && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
            {
                yield return $"{where}: ({target}) names a section that {Path.GetRelativePath(root, resolved)} does not have";
            }
        }
    }

    /// <summary>The titles of a markdown file's headings, in order (fenced code aside).</summary>
    public static IEnumerable<string> Headings(string markdown) =>
        WithoutFences(markdown).Split('\n').Select(line => Heading().Match(line))
            .Where(m => m.Success).Select(m => m.Groups["title"].Value.Trim());

    /// <summary>The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered.</summary>
    public static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (string title in Headings(markdown))
        {
            var slug = new StringBuilder();
            foreach (char c in title.ToLower(CultureInfo.InvariantCulture))
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                {
                    slug.Append(c);
                }
                else if (c == ' ')
                {
                    slug.Append('-');
                }
            }
            string anchor = slug.ToString();
            for (int n = 1; !anchors.Add(anchor); n++)
            {
                anchor = $"{slug}-{n}";
            }
        }
        return anchors;
    }

    // Fenced blocks and inline code spans hold examples, not links; blank them out, keeping the line breaks.
    private static string WithoutCode(string markdown) => InlineCode().Replace(WithoutFences(markdown), "");

    // A heading's inline code is part of its anchor, so headings are read with fences removed only.
    private static string WithoutFences(string markdown) =>
        Fence().Replace(markdown.Replace("\r\n", "\n", StringComparison.Ordinal), m => new string('\n', m.Value.Count(c => c == '\n')));

    private static IEnumerable<string> Walk(string folder)
    {
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            yield return file;
        }
        foreach (string sub in Directory.EnumerateDirectories(folder))
        {
            if (!SkippedFolders.Contains(Path.GetFileName(sub)))
            {
                foreach (string file in Walk(sub))
                {
                    yield return file;
                }
            }
        }
    }

    private static bool IsText(string file)
    {
        using FileStream stream = File.OpenRead(file);
        var head = new byte[8192];
        int read = stream.Read(head);
        return Array.IndexOf(head, (byte)0, 0, read) < 0;
    }

    // [text](target) and ![alt](target), with an optional <...> around the target and an optional "title".
    [GeneratedRegex("""!?\[[^\]]*\]\(\s*<?(?<target>[^)\s>]+)>?(?:\s+"[^"]*")?\s*\)""")]
    private static partial Regex Link();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex UriScheme();

    [GeneratedRegex(@"^ {0,3}#{1,6}\s+(?<title>.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex("`[^`\n]*`")]
    private static partial Regex InlineCode();

    /// <summary>
    /// A path from the repository's root to a markdown file under docs/, as prose and comments name them, and the
    /// section in quotes that may follow it: <c>docs/training.md, "Recipes"</c>.
    /// </summary>
    [GeneratedRegex("""(?<![\w./-])(?<doc>docs/[\w./-]*?\.md)\b(?:,\s*"(?<section>[^"]+)")?""")]
    public static partial Regex DocsCitation();
}
