import { seededDatabase } from "../seed.js";
const n = Number(process.argv[2]);
const info = await seededDatabase(n, console.log);
console.log(info);
