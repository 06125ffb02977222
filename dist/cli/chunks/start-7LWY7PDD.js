import{d as a,e as b}from"./chunk-YIH4D2MI.js";import"./chunk-NABSMHNU.js";import"./chunk-JEJOIKPX.js";import"./chunk-RTJJ3MOF.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
