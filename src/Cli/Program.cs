Console.WriteLine("rnnrbm: commands arrive with issue 2");
