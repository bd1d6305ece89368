using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// Every C# block of the README compiles as written, the way a new console app (top-level statements, implicit usings)
/// or class library would compile it, against the packages the README names.
/// </summary>
public sealed class ReadmeSnippetTests
{
    // What `dotnet new console` turns on (ImplicitUsings): a snippet may rely on these and on nothing else unsaid.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>The repository's README and the README shipped inside the packages.</summary>
    private static readonly string[] Documents = ["README.md", "docs/package-readme.md"];

    public static TheoryData<string, int, int> Snippets()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var document in Documents)
        {
            var blocks = CSharpBlocks(document);
            for (var i = 0; i < blocks.Count; i++)
                data.Add(document, i + 1, blocks[i].Line);
        }
        return data;
    }

    [Theory]
    [InlineData("README.md", 3)]
    [InlineData("docs/package-readme.md", 1)]
    public void The_document_has_csharp_blocks_to_check(string document, int atLeast) => CSharpBlocks(document).Should().HaveCountGreaterThanOrEqualTo(atLeast);

    [Theory]
    [MemberData(nameof(Snippets))]
    public void A_csharp_block_of_the_readme_compiles_as_written(string document, int block, int line)
    {
        var code = CSharpBlocks(document)[block - 1].Code;
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview), path: $"{document}:{line}");
        var hasStatements = tree.GetCompilationUnitRoot().Members.Any(member => member is GlobalStatementSyntax);
        var compilation = CSharpCompilation.Create(
            $"readme_block_{block}",
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, new CSharpParseOptions(LanguageVersion.Preview))],
            References(),
            new CSharpCompilationOptions(hasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();

        errors.Should().BeEmpty($"the C# block at {document} line {line} compiles as written:\n{code}");
    }

    [Fact]
    public void Relative_links_of_the_readme_resolve_inside_the_repository()
    {
        var root = RepositoryRoot();
        var broken = new List<string>();
        foreach (System.Text.RegularExpressions.Match link in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(root, "README.md")), @"\]\(([^)#\s]+)[^)]*\)"))
        {
            var target = link.Groups[1].Value;
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                continue;
            var path = Path.GetFullPath(Path.Combine(root, target));
            if (!path.StartsWith(root, StringComparison.Ordinal) || (!File.Exists(path) && !Directory.Exists(path)))
                broken.Add(target);
        }
        broken.Should().BeEmpty("a clone has only the repository: links outside it or to missing files do not resolve");
    }

    [Fact]
    public void The_package_readme_has_no_relative_links()
    {
        // Inside a package there is no repository beside the README: only absolute links resolve.
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "package-readme.md"));
        System.Text.RegularExpressions.Regex.Matches(text, @"\]\((?![a-z]+://)[^)]*\)").Select(m => m.Value).Should().BeEmpty();
        text.Should().NotContain("../");
    }

    private static List<(int Line, string Code)> CSharpBlocks(string document)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), document));
        var blocks = new List<(int, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
                continue;
            var code = new StringBuilder();
            var start = i + 1;
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
                code.AppendLine(lines[i]);
            blocks.Add((start, code.ToString()));
        }
        return blocks;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "README.md")) && File.Exists(Path.Combine(directory.FullName, "FactoryPulse.Dump.sln")))
                return directory.FullName + Path.DirectorySeparatorChar;
        }
        throw new FileNotFoundException("README.md beside FactoryPulse.Dump.sln not found above the test assembly.");
    }

    private static List<MetadataReference> References()
    {
        // The framework, plus the packages the README tells the reader to add (the library, the Testing package, Npgsql, xunit).
        var paths = new HashSet<string>(((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator), StringComparer.Ordinal);
        foreach (var assembly in new[]
        {
            typeof(DatabaseDumper).Assembly, typeof(Testing.PostgresServer).Assembly, typeof(Npgsql.NpgsqlConnection).Assembly,
            typeof(FactAttribute).Assembly, typeof(Assert).Assembly, typeof(Xunit.Abstractions.ITestOutputHelper).Assembly,
            typeof(Microsoft.Extensions.Logging.ILogger).Assembly,
        })
            paths.Add(assembly.Location);
        return paths.Where(File.Exists).Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)).ToList();
    }
}
